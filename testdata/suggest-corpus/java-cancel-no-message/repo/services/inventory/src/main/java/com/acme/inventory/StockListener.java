package com.acme.inventory;

import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

@Component
public class StockListener
{
    private static final Logger log = LoggerFactory.getLogger(StockListener.class);

    private final Map<String, Warehouse> warehouses;
    private final ReservationLog reservations;

    public StockListener(Map<String, Warehouse> warehouses, ReservationLog reservations)
    {
        this.warehouses = warehouses;
        this.reservations = reservations;
    }

    @KafkaListener(topics = "orders.placed", groupId = "inventory")
    public void onOrderPlaced(OrderPlaced event)
    {
        Warehouse warehouse = warehouses.get(event.warehouseCode());
        warehouse.reserve(event.sku(), event.quantity());
        reservations.record(event.orderId(), event.sku(), event.quantity());
        log.debug("reserved {} x {} for {}", event.quantity(), event.sku(), event.orderId());
    }

    @KafkaListener(topics = "orders.cancelled", groupId = "inventory")
    public void onOrderCancelled(OrderCancelled event)
    {
        for (Reservation r : reservations.of(event.orderId()))
        {
            warehouses.get(r.warehouseCode()).release(r.sku(), r.quantity());
        }
    }
}
