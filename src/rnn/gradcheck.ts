// Numerical gradient checking (lesson 1, section 3): compare a backward pass with centred differences
// (f(θ + ε) − f(θ − ε)) / 2ε of a scalar function f, one entry of one array at a time.
import { NDArray, zeros } from "../np/index";
import { formatShape } from "../np/shape";
import type { Params } from "./params";

/**
 * Returns ∂f/∂params[name] estimated by centred differences, shape of params[name]. Each entry is nudged in
 * place by ±epsilon and put back, so `f` must read the arrays it is given (not copies made earlier).
 */
export function numericalGradient(f: (params: Params) => number, params: Params, name: string, epsilon = 1e-7): NDArray {
  const theta = params[name];
  if (!(theta instanceof NDArray)) throw new Error(`numericalGradient: params.${name} is missing or not an np array`);
  const approx = zeros(theta.shape);
  for (let i = 0; i < theta.size; i++) {
    const saved = theta.data[i];
    theta.data[i] = saved + epsilon;
    const plus = f(params);
    theta.data[i] = saved - epsilon;
    const minus = f(params);
    theta.data[i] = saved;
    approx.data[i] = (plus - minus) / (2 * epsilon);
  }
  return approx;
}

/** Returns grads["d" + name] for every name of params, checked to exist with the same shape. */
function matchingGradients(fn: string, params: Params, grads: Params): Array<[string, NDArray, NDArray]> {
  return Object.keys(params).map((name): [string, NDArray, NDArray] => {
    const g = grads[`d${name}`];
    if (!(g instanceof NDArray)) {
      throw new Error(`${fn}: grads.d${name} is missing: the gradient of params.${name} (grads has ${Object.keys(grads).join(", ")})`);
    }
    if (formatShape(g.shape) !== formatShape(params[name].shape)) {
      throw new Error(`${fn}: grads.d${name} has shape ${formatShape(g.shape)}, expected ${formatShape(params[name].shape)}, the shape of params.${name}`);
    }
    return [name, params[name], g];
  });
}

/** Returns ‖grad − approx‖ / (‖grad‖ + ‖approx‖) from the three sums of squares (0 when both are 0). */
function relativeError(diff2: number, grad2: number, approx2: number): number {
  const denominator = Math.sqrt(grad2) + Math.sqrt(approx2);
  return denominator === 0 ? 0 : Math.sqrt(diff2) / denominator;
}

/** Returns the sums of squares of grad − approx, grad and approx, entry by entry. */
function sumsOfSquares(grad: NDArray, approx: NDArray): [number, number, number] {
  let [diff2, grad2, approx2] = [0, 0, 0];
  for (let i = 0; i < grad.size; i++) {
    diff2 += (grad.data[i] - approx.data[i]) ** 2;
    grad2 += grad.data[i] ** 2;
    approx2 += approx.data[i] ** 2;
  }
  return [diff2, grad2, approx2];
}

/**
 * Returns the relative error ‖grad − gradApprox‖ / (‖grad‖ + ‖gradApprox‖) over all entries of all arrays
 * of `params` taken together, where grads["d" + name] is the backward pass's gradient of params[name] and
 * gradApprox the centred differences of f. Below 1e-7 the backward pass is right.
 */
export function gradCheck(f: (params: Params) => number, params: Params, grads: Params, epsilon = 1e-7): number {
  let [diff2, grad2, approx2] = [0, 0, 0];
  for (const [name, , grad] of matchingGradients("gradCheck", params, grads)) {
    const [d, g, a] = sumsOfSquares(grad, numericalGradient(f, params, name, epsilon));
    [diff2, grad2, approx2] = [diff2 + d, grad2 + g, approx2 + a];
  }
  return relativeError(diff2, grad2, approx2);
}

/** Returns the relative error of gradCheck for each array of params on its own: {Wax: 3e-10, …}, to find a wrong one. */
export function gradCheckEach(f: (params: Params) => number, params: Params, grads: Params, epsilon = 1e-7): Record<string, number> {
  const errors: Record<string, number> = {};
  for (const [name, , grad] of matchingGradients("gradCheckEach", params, grads)) {
    errors[name] = relativeError(...sumsOfSquares(grad, numericalGradient(f, params, name, epsilon)));
  }
  return errors;
}
