// ml-logistic-regression ships no typings; this covers what the bench uses (see node20-stack.md §4).
declare module 'ml-logistic-regression' {
  import type { Matrix } from 'ml-matrix';
  interface TwoClass {
    weights: Matrix | null;
    testScores(X: Matrix): number[];
  }
  export default class LogisticRegression {
    constructor(options?: { numSteps?: number; learningRate?: number });
    numberClasses: number;
    classifiers: TwoClass[];
    train(X: Matrix, Y: Matrix): void;
    predict(X: Matrix): number[];
  }
}
