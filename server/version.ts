/** The app's version, as /api/health and the backup manifests give it. */
export const VERSION = '0.1.0';
