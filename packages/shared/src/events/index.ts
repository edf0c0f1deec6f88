export * from './consumer.js';
export * from './contracts.js';
export * from './follow.js';
export * from './outbox.js';
export * from './redis.js';
export * from './runtime.js';
