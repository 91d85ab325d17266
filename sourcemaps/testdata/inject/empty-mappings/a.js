
!function(){try{var e="undefined"!=typeof window?window:"undefined"!=typeof global?global:"undefined"!=typeof globalThis?globalThis:"undefined"!=typeof self?self:{},n=(new e.Error).stack;n&&(e._sentryDebugIds=e._sentryDebugIds||{},e._sentryDebugIds[n]="aa2d8ffa-779e-5bfe-94ce-2585f28b2abb")}catch(e){}}();
export * from './b.js';
//# sourceMappingURL=a.js.map

//# debugId=aa2d8ffa-779e-5bfe-94ce-2585f28b2abb
