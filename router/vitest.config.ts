import { defineConfig, mergeConfig } from 'vitest/config';
import { preset } from '../vitest.shared.js';

export default mergeConfig(
  preset,
  defineConfig({ test: { globalSetup: ['test/global-setup.ts'] } }),
);
