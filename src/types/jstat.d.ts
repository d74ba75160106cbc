// The part of jStat (https://jstat.github.io) grpclb-probe uses; the package ships no types.
declare module 'jstat' {
  export const jStat: {
    chisquare: {
      /** CDF of the chi-square distribution with `dof` degrees of freedom at `x`. */
      cdf(x: number, dof: number): number;
    };
  };
}
