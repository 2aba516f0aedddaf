export { openState, type StateBoot } from './state-boot.js';
export { storedDisabled } from './desired-state.js';
export { StateSync } from './state-sync.js';
