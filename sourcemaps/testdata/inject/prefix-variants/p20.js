'use strict';
!function(){try{var e="undefined"!=typeof window?window:"undefined"!=typeof global?global:"undefined"!=typeof globalThis?globalThis:"undefined"!=typeof self?self:{},n=(new e.Error).stack;n&&(e._sentryDebugIds=e._sentryDebugIds||{},e._sentryDebugIds[n]="0253d007-d15e-5bf4-8593-d6ef860f7957")}catch(e){}}();
'use asm';x
//# debugId=0253d007-d15e-5bf4-8593-d6ef860f7957
