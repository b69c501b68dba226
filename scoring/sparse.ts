/**
 * Compressed sparse rows: the design matrix of one-hot levels, bins and a few dense numeric columns.
 * Most columns of a lead's feature vector are zero, so solver and scorer only touch the non-zeros.
 */
export interface SparseMatrix {
  readonly rows: number;
  readonly cols: number;
  /** Row r's entries are indices/values[indptr[r] .. indptr[r+1]), column indices strictly ascending. */
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  readonly values: Float64Array;
}

/** Grows a CSR matrix row by row. */
export class SparseBuilder {
  private indices: number[] = [];
  private values: number[] = [];
  private readonly indptr: number[] = [0];

  constructor(readonly cols: number) {}

  /** Columns must be pushed in ascending order within a row (the solver relies on it). */
  push(column: number, value: number): void {
    if (value === 0) return;
    const rowStart = this.indptr[this.indptr.length - 1] as number;
    if (this.indices.length > rowStart && (this.indices[this.indices.length - 1] as number) >= column) {
      throw new RangeError('columns must ascend within a row');
    }
    this.indices.push(column);
    this.values.push(value);
  }

  endRow(): void {
    this.indptr.push(this.indices.length);
  }

  build(): SparseMatrix {
    return {
      rows: this.indptr.length - 1,
      cols: this.cols,
      indptr: Int32Array.from(this.indptr),
      indices: Int32Array.from(this.indices),
      values: Float64Array.from(this.values),
    };
  }
}

/** The rows of `m` at `rowIndices`, in that order. */
export function selectRows(m: SparseMatrix, rowIndices: readonly number[]): SparseMatrix {
  let nnz = 0;
  for (const r of rowIndices) nnz += (m.indptr[r + 1] as number) - (m.indptr[r] as number);
  const indptr = new Int32Array(rowIndices.length + 1);
  const indices = new Int32Array(nnz);
  const values = new Float64Array(nnz);
  let at = 0;
  rowIndices.forEach((r, k) => {
    const start = m.indptr[r] as number;
    const end = m.indptr[r + 1] as number;
    indices.set(m.indices.subarray(start, end), at);
    values.set(m.values.subarray(start, end), at);
    at += end - start;
    indptr[k + 1] = at;
  });
  return { rows: rowIndices.length, cols: m.cols, indptr, indices, values };
}

/** Mean of each column over all rows. */
export function columnMeans(m: SparseMatrix): Float64Array {
  const means = new Float64Array(m.cols);
  for (let k = 0; k < m.indices.length; k++) {
    const c = m.indices[k] as number;
    means[c] = (means[c] as number) + (m.values[k] as number);
  }
  for (let c = 0; c < m.cols; c++) means[c] = (means[c] as number) / Math.max(1, m.rows);
  return means;
}

/** Linear predictor b + x·w for every row. */
export function linearPredictor(
  m: SparseMatrix,
  weights: ArrayLike<number>,
  intercept: number,
): Float64Array {
  const out = new Float64Array(m.rows);
  for (let r = 0; r < m.rows; r++) {
    let z = intercept;
    for (let k = m.indptr[r] as number; k < (m.indptr[r + 1] as number); k++) {
      z += (m.values[k] as number) * (weights[m.indices[k] as number] as number);
    }
    out[r] = z;
  }
  return out;
}
