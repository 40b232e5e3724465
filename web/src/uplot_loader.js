// uPlot, loaded when the first chart needs it rather than with the page. It is a third of the
// bundle, and evaluating it creates an Intl.NumberFormat, whose first use in a page loads the
// browser's locale data: tens of milliseconds that a sweep page would otherwise spend before
// asking for its trials.

let loading = null;

export function loadUplot() {
  loading ??= import('/assets/uplot.js').then((module) => module.default);
  return loading;
}
