export { checkTrust, type TrustPolicy, type TrustVerdict } from './trust-policy.js';
export { packageIntegrity } from './package-integrity.js';
