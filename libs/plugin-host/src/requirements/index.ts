export { verifyNpmRequirements } from './plugin-requirements.js';
