// The read-rights API's schemas live in src/shared/api/grants.ts (the EKS page sends and reads
// them); re-exported here like every module's schemas, for the routes.
export { GrantBody, GrantResultView, ReadersBody, ReadersView, RevokeBody, RevokeResultView } from '../../../shared/api/grants.js';
