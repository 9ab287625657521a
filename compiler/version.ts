// Volta's version; part of every fingerprint and generated-file header.
export const VOLTA_VERSION = '0.1.0';
