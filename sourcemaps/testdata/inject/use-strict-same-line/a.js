"use strict";
!function(){try{var e="undefined"!=typeof window?window:"undefined"!=typeof global?global:"undefined"!=typeof globalThis?globalThis:"undefined"!=typeof self?self:{},n=(new e.Error).stack;n&&(e._sentryDebugIds=e._sentryDebugIds||{},e._sentryDebugIds[n]="185189e4-0b16-573d-b714-e87e7cb7d0c4")}catch(e){}}();
foo();
bar();
//# sourceMappingURL=a.js.map

//# debugId=185189e4-0b16-573d-b714-e87e7cb7d0c4
