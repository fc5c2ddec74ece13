/** The release this code is; recorded in every manifest this node seals. */
export const LUCID_VERSION = '0.1.0'
export const RECORDER_VERSION = `lucid/${LUCID_VERSION}`
