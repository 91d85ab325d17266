package com.acme.shop.checkout

import androidx.lifecycle.ViewModel
import androidx.lifecycle.viewModelScope
import kotlinx.coroutines.launch
import com.acme.shop.api.CartApi
import com.acme.shop.session.SessionManager

class CheckoutViewModel(
    private val cart: CartApi,
    private val sessions: SessionManager,
) : ViewModel() {

    var total: Long = 0
        private set

    fun placeOrder(onDone: (String) -> Unit) {
        viewModelScope.launch {
            val token = sessions.session!!.token
            val order = cart.checkout(token)
            total = order.total
            onDone(order.id)
        }
    }

    fun clear() {
        total = 0
    }
}
