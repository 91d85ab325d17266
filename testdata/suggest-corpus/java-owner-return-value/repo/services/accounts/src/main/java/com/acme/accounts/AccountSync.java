package com.acme.accounts;

import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

@Component
public class AccountSync {
    private static final Logger log = LoggerFactory.getLogger(AccountSync.class);

    private final CrmClient crm;
    private final AccountRepository accounts;

    public AccountSync(CrmClient crm, AccountRepository accounts) {
        this.crm = crm;
        this.accounts = accounts;
    }

    @Scheduled(fixedDelayString = "${accounts.sync.delay:PT5M}")
    public void syncChanged() {
        List<CrmContact> changed = crm.changedSince(accounts.lastSync());
        for (CrmContact contact : changed) {
            syncOne(contact);
        }
        accounts.markSynced();
    }

    void syncOne(CrmContact contact) {
        String email = contact.email();
        String name = contact.fullName();
        Account account = accounts.findByEmail(email);
        account.setName(name);
        account.setPhone(contact.phone());
        accounts.save(account);
        log.debug("synced {}", email);
    }

    public Account owner(String accountId) {
        Account account = accounts.findById(accountId).orElseThrow();
        return accounts.findByEmail(account.getOwnerEmail()).withRole("owner");
    }
}
