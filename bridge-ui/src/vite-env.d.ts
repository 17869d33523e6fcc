/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** The Agent extension's id, baked in at build time (empty: not configured). */
  readonly VITE_EXTENSION_ID?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
