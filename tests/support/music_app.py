'''A music app on the system bus: an MPRIS player that says it can do
everything, registered with BlueZ on one adapter as desktop players are
(through mpris-proxy) or as a headless music daemon does itself. Every
button it receives is printed on a line of its own; it unregisters when
its standard input closes.

    music_app.py ADAPTER_PATH
'''

import sys
import threading

import dbus
import dbus.mainloop.glib
import dbus.service
from gi.repository import GLib

PLAYER = 'org.mpris.MediaPlayer2.Player'
PATH = '/org/example/music/player'


class Player(dbus.service.Object):
    def pressed(self, button):
        print(button, flush=True)

    @dbus.service.method(PLAYER)
    def Play(self):
        self.pressed('Play')

    @dbus.service.method(PLAYER)
    def Pause(self):
        self.pressed('Pause')

    @dbus.service.method(PLAYER)
    def PlayPause(self):
        self.pressed('PlayPause')

    @dbus.service.method(PLAYER)
    def Stop(self):
        self.pressed('Stop')

    @dbus.service.method(PLAYER)
    def Next(self):
        self.pressed('Next')

    @dbus.service.method(PLAYER)
    def Previous(self):
        self.pressed('Previous')


def main():
    dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
    bus = dbus.SystemBus()
    Player(bus, PATH)
    media = dbus.Interface(bus.get_object('org.bluez', sys.argv[1]), 'org.bluez.Media1')
    flags = {name: dbus.Boolean(True) for name in
             ('CanPlay', 'CanPause', 'CanGoNext', 'CanGoPrevious', 'CanControl')}
    flags['PlaybackStatus'] = dbus.String('Playing')
    media.RegisterPlayer(dbus.ObjectPath(PATH), dbus.Dictionary(flags, signature='sv'))
    print('registered', flush=True)
    loop = GLib.MainLoop()

    def until_stdin_closes():
        sys.stdin.read()
        GLib.idle_add(loop.quit)

    threading.Thread(target=until_stdin_closes, daemon=True).start()
    loop.run()
    media.UnregisterPlayer(dbus.ObjectPath(PATH))


if __name__ == '__main__':
    main()
