/** The formats `pgvar export --format` writes (experiment/export-tfjs.ts; here so that the CLI lists them without loading tfjs). */
export const EXPORT_FORMATS = ['tfjs'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
