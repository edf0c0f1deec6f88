import { serviceConfig } from '../../prisma/prisma-config.js';

export default serviceConfig('__name__');
