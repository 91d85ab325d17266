
!function(){try{var e="undefined"!=typeof window?window:"undefined"!=typeof global?global:"undefined"!=typeof globalThis?globalThis:"undefined"!=typeof self?self:{},n=(new e.Error).stack;n&&(e._sentryDebugIds=e._sentryDebugIds||{},e._sentryDebugIds[n]="7bac9d3d-58c9-5995-921d-5000c621b3b9")}catch(e){}}();
﻿// c
foo();
//# debugId=7bac9d3d-58c9-5995-921d-5000c621b3b9
