package com.acme.inventory;

import java.util.Map;

import org.springframework.stereotype.Service;

@Service
public class StockLevels {
    private final Map<String, Warehouse> warehouses;
    private final SafetyStock safety;

    public StockLevels(Map<String, Warehouse> warehouses, SafetyStock safety) {
        this.warehouses = warehouses;
        this.safety = safety;
    }

    public int available(String warehouseCode, String sku) {
        Warehouse warehouse = warehouses.get(warehouseCode);
        int onHand = warehouse.onHand(sku);
        return Math.max(0, onHand - safety.of(sku));
    }

    public boolean canShip(String warehouseCode, String sku, int quantity) {
        return available(warehouseCode, sku) >= quantity;
    }
}
