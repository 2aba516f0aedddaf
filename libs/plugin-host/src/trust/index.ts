export { checkIntegrity, checkTrustRules, pinOf, type TrustPolicy } from './trust-policy.js';
export { packageIntegrity, type PackageInspection } from './package-integrity.js';
