export { checkIntegrity, checkTrustRules, pinOf, type TrustPolicy, type TrustVerdict } from './trust-policy.js';
export { inspectPackage, packageIntegrity, type PackageInspection } from './package-integrity.js';
