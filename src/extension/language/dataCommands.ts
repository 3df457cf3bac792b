// Commands that read whole data files: Import Excel, Compare Annotations and New Project. They are
// bundled apart from extension.js (as dist/dataCommands.js) and loaded on first use, because the
// encoding tables and the xlsx reader they need would slow down every activation.
export { compareAnnotationsCommand } from './agreementCommand';
export { importExcel } from './excelCommand';
export { newProject } from './newProjectCommand';
