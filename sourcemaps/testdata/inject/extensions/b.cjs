'use strict';

!function(){try{var e="undefined"!=typeof window?window:"undefined"!=typeof global?global:"undefined"!=typeof globalThis?globalThis:"undefined"!=typeof self?self:{},n=(new e.Error).stack;n&&(e._sentryDebugIds=e._sentryDebugIds||{},e._sentryDebugIds[n]="cd925098-981c-5501-8905-a6f96195e97e")}catch(e){}}();
foo();
//# sourceMappingURL=b.cjs.map

//# debugId=cd925098-981c-5501-8905-a6f96195e97e
