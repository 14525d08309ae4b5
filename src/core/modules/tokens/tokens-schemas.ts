import * as Type from '@sinclair/typebox';

// The API tokens' schemas live in src/shared/api/tokens.ts (the profile page sends and reads
// them); re-exported here like every module's schemas, for the routes.
export { OperatorTokenPageView, TokenCreateBody, TokenCreatedView, TokenListView } from '../../../shared/api/tokens.js';

export const TokenIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });
export const TokenPageQuery = Type.Object({ cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 400 })) }, { additionalProperties: false });
