"anything at all";
!function(){try{var e="undefined"!=typeof window?window:"undefined"!=typeof global?global:"undefined"!=typeof globalThis?globalThis:"undefined"!=typeof self?self:{},n=(new e.Error).stack;n&&(e._sentryDebugIds=e._sentryDebugIds||{},e._sentryDebugIds[n]="772f051b-f200-5603-b785-6733442a22ed")}catch(e){}}();
x
//# debugId=772f051b-f200-5603-b785-6733442a22ed
