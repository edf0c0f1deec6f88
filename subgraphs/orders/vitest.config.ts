import { subgraphTestConfig } from '../../vitest.shared.js';

export default subgraphTestConfig('orders');
