package com.acme.shop.video

import android.widget.Button
import com.acme.shop.media.Player

class PlayerScreen(private val pause: Button, private val resume: Button) {

    var player: Player? = null

    fun bind() {
        pause.setOnClickListener {
            player!!.pause()
        }
        resume.setOnClickListener {
            player?.resume()
        }
    }

    fun unbind() {
        player = null
    }
}
