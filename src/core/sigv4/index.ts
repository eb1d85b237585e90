// SigV4 verification: parse, canonical request, derived-key cache and the verdict, for the router's auth middleware.
export { canonicalQuery, canonicalRequest, canonicalUri, escapeUri, queryPairs } from './canonical.js';
export { ALGORITHM, formatAmzDate, parseAmzDate, parseSignedAuth, type CredentialScope, type SignedAuth } from './parse.js';
export { deriveSigningKey, SigningKeyCache } from './signing-key.js';
export { EMPTY_SHA256, sha256Hex, verifySigV4, type SigV4Key, type SigV4Options, type SigV4Request, type Verified } from './verify.js';
