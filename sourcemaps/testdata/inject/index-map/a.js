"use strict";!function(){try{var e="undefined"!=typeof window?window:"undefined"!=typeof global?global:"undefined"!=typeof globalThis?globalThis:"undefined"!=typeof self?self:{},n=(new e.Error).stack;n&&(e._sentryDebugIds=e._sentryDebugIds||{},e._sentryDebugIds[n]="17f8bc83-f7e7-561e-8f1b-b7a319b8d0cd")}catch(e){}}();
"use strict";foo();
bar();
//# sourceMappingURL=a.js.map

//# debugId=17f8bc83-f7e7-561e-8f1b-b7a319b8d0cd
