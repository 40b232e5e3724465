// uPlot as a file of its own (/assets/uplot.js), for uplot_loader.js.
export { default } from 'uplot';
