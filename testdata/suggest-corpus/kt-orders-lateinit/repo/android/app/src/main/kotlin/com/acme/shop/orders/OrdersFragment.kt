package com.acme.shop.orders

import android.os.Bundle
import android.view.View
import androidx.fragment.app.Fragment
import androidx.recyclerview.widget.RecyclerView
import com.acme.shop.R
import com.acme.shop.api.Order

class OrdersFragment : Fragment(R.layout.fragment_orders) {

    private lateinit var adapter: OrdersAdapter

    override fun onViewCreated(view: View, savedInstanceState: Bundle?) {
        super.onViewCreated(view, savedInstanceState)
        val list = view.findViewById<RecyclerView>(R.id.orders)
        list.adapter = OrdersAdapter().also { adapter = it }
    }

    fun show(orders: List<Order>) {
        adapter.submitList(orders)
    }

    fun clear() {
        adapter.submitList(emptyList())
    }
}
