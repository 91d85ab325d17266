package com.acme.ledger;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.stereotype.Component;

/**
 * Running balances per account, kept in memory between snapshots. Postings are applied in
 * journal order; a snapshot replaces the whole map.
 */
@Component
public class Balances {
    private static final int SCALE = 2;

    private final Map<String, BigDecimal> byAccount = new ConcurrentHashMap<>();
    private final Map<String, String> currencies = new ConcurrentHashMap<>();

    public void open(String accountId, String currency) {
        byAccount.putIfAbsent(accountId, BigDecimal.ZERO.setScale(SCALE));
        currencies.put(accountId, currency);
    }

    public BigDecimal of(String accountId) {
        return byAccount.getOrDefault(accountId, BigDecimal.ZERO.setScale(SCALE));
    }

    public void restore(Map<String, BigDecimal> snapshot) {
        byAccount.clear();
        byAccount.putAll(snapshot);
    }

    /**
     * Applies one posting and returns the account's new balance.
     */
    public BigDecimal apply(Posting posting) {
        BigDecimal balance = byAccount.get(posting.accountId());
        BigDecimal amount = posting.amount().setScale(SCALE, RoundingMode.HALF_EVEN);
        BigDecimal updated = balance.add(amount);
        byAccount.put(posting.accountId(), updated);
        return updated;
    }

    public boolean overdrawn(String accountId) {
        return of(accountId).signum() < 0;
    }

    public String currencyOf(String accountId) {
        return currencies.get(accountId);
    }
}
