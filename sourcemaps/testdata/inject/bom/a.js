
!function(){try{var e="undefined"!=typeof window?window:"undefined"!=typeof global?global:"undefined"!=typeof globalThis?globalThis:"undefined"!=typeof self?self:{},n=(new e.Error).stack;n&&(e._sentryDebugIds=e._sentryDebugIds||{},e._sentryDebugIds[n]="b5cef6de-df96-5923-8a04-107a0a2dd685")}catch(e){}}();
﻿foo();
bar();
//# sourceMappingURL=a.js.map

//# debugId=b5cef6de-df96-5923-8a04-107a0a2dd685
