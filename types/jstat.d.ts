/** jStat ships no type declarations; pgvar uses only the Student-t quantile. */
declare module 'jstat' {
  const jStat: { studentt: { inv(p: number, df: number): number; cdf(x: number, df: number): number }; centralF: { inv(p: number, df1: number, df2: number): number }; normal: { cdf(x: number, mean: number, std: number): number; inv(p: number, mean: number, std: number): number } };
  export default jStat;
}
