package com.acme.shop.orders

import com.acme.shop.api.Order
import com.acme.shop.api.OrdersApi
import com.acme.shop.db.OrderDao

class OrderRepository(
    private val api: OrdersApi,
    private var dao: OrderDao?,
) {
    private var lastSynced: Order? = null

    suspend fun sync(userId: String) {
        val orders = api.list(userId)
        for (order in orders) {
            dao!!.upsert(order)
        }
        lastSynced = orders.lastOrNull()
        dao!!.prune(lastSynced!!.createdAt)
    }

    fun close() {
        dao = null
    }
}
