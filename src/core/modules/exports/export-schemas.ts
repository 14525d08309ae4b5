// The download API's schemas live in src/shared/api/exports.ts (the EKS page's dialog sends and
// reads them); re-exported here like every module's schemas, for the routes.
export { ExportBody, ExportIdParams, ExportPreviewBody, ExportPreviewView, ExportView } from '../../../shared/api/exports.js';
