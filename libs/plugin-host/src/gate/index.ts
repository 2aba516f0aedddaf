export { admitPlugin, type Admission, type FreshManifest, type GateContext } from './plugin-gate.js';
