/* c */ 
!function(){try{var e="undefined"!=typeof window?window:"undefined"!=typeof global?global:"undefined"!=typeof globalThis?globalThis:"undefined"!=typeof self?self:{},n=(new e.Error).stack;n&&(e._sentryDebugIds=e._sentryDebugIds||{},e._sentryDebugIds[n]="449efb2d-de32-506f-96e6-f6fe509470b4")}catch(e){}}();
foo();
//# sourceMappingURL=b.js.map

//# debugId=449efb2d-de32-506f-96e6-f6fe509470b4
