import { preset } from '../../vitest.shared.js';

export default preset;
