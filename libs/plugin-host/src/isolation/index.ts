export { liveIsolates } from './isolated-plugin.js';
export { IsolationSupervisor } from './isolation-supervisor.js';
