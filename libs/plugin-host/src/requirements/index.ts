export {
  checkRequirements,
  describeOutcome,
  installCommand,
  installedVersion,
  optionalSpecs,
  parseRequirement,
  type NpmRequirement,
  type RequirementOutcome,
} from './npm-requirements.js';
export { verifyNpmRequirements, type RequirementVerdict } from './plugin-requirements.js';
