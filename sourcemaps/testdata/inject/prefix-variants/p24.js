"a
b";
!function(){try{var e="undefined"!=typeof window?window:"undefined"!=typeof global?global:"undefined"!=typeof globalThis?globalThis:"undefined"!=typeof self?self:{},n=(new e.Error).stack;n&&(e._sentryDebugIds=e._sentryDebugIds||{},e._sentryDebugIds[n]="1bc0055b-0f2b-50d0-8bcf-69250c0929e8")}catch(e){}}();
x
//# debugId=1bc0055b-0f2b-50d0-8bcf-69250c0929e8
