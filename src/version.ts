/** The package version, reported by `--version` and written into run manifests. */
export const VERSION = '0.1.0';
