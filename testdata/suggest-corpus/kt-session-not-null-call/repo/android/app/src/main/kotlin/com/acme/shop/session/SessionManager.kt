package com.acme.shop.session

import android.content.SharedPreferences
import okhttp3.WebSocket
import com.acme.shop.api.AuthApi
import com.acme.shop.api.Session

/**
 * Keeps the signed-in session and its live order-status socket.
 */
class SessionManager(
    private val prefs: SharedPreferences,
    private val auth: AuthApi,
) {
    var session: Session? = null
        private set

    private var socket: WebSocket? = null

    fun signIn(email: String, password: String): Session {
        val s = auth.signIn(email, password)
        session = s
        prefs.edit().putString("token", s.token).apply()
        return s
    }

    fun attach(ws: WebSocket) {
        socket = ws
    }

    fun signOut() {
        socket!!.close(1000, "signed out")
        socket = null
        session = null
        prefs.edit().remove("token").apply()
    }
}
