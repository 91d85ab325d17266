export { l as later } from './main-DAQDojH9.js';
//# sourceMappingURL=main.js.map
