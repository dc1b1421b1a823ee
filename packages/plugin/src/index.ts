export {
  signChimeRequest,
  verifyChimeSignature,
  checkChimeSignature,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  DEFAULT_TIMESTAMP_TOLERANCE_MS
} from './core/signature.js'
export type {
  ChimeSignatureHeaders,
  RawBody,
  VerifyChimeSignatureInput,
  ChimeSignatureCheck
} from './core/signature.js'
