'''A fake bluetoothd that passes headphone buttons on as BlueZ does.

python3-dbusmock's bluez5 template gives adapters and devices; this adds
what bluetoothd does with players registered through org.bluez.Media1, as
BlueZ's own source does it (read at bluez 5.66 and at 5.87-54-g690c16df6):

profiles/audio/media.c
  register_player()          a player is (sender, path) on one adapter; the
                             same pair twice is AlreadyExists; its
                             properties are parsed in order and one of a
                             wrong type refuses the registration
                             (InvalidArgs).
  parse_player_properties()  PlaybackStatus (s), Position (x), Metadata
  set_player_property()      (a{sv}), Shuffle (b), LoopStatus (None, Track
                             or Playlist), CanPlay, CanPause, CanGoNext,
                             CanGoPrevious, CanControl (b), Identity (s);
                             other keys are ignored; the first bad one
                             stops the parse.
  parse_player_metadata()    xesam:title (s), xesam:artist (as),
                             xesam:album (s), xesam:genre (as),
                             mpris:length (x), xesam:trackNumber (i).
  local_player_create()      watches the player's PropertiesChanged on
                             org.mpris.MediaPlayer2.Player (the flags are
                             learnt from there too) and its sender leaving
                             the bus (the player is removed).
  local_player_play()        Play only if CanPlay and CanControl;
  local_player_pause()       Pause only if CanPause and CanControl;
  local_player_next()        Next only if CanGoNext and CanControl;
  local_player_previous()    Previous only if CanGoPrevious and CanControl;
  local_player_stop()        Stop only if CanControl. (media_player_play()
                             and so on in 5.66, the same gates.)
  local_player_send()        the call is sent with no reply awaited.

profiles/audio/avrcp.c
  avrcp_register_player()    players are kept in registration order; a
                             new one is given only to headsets that have
                             none.
  target_init()              a headset that connects gets the first player.
  avrcp_unregister_player()  a headset whose player goes gets the first
                             player left.
  handle_passthrough()       a press (not a release) of PLAY, STOP, PAUSE,
                             FORWARD (Next) or BACKWARD (Previous) goes to
                             the headset's player, through the gates above.

Test controls, on org.bluez.Mock:
  ConnectHeadset(adapter)          a headset's AVRCP session on that adapter
  PressButton(adapter, button)     Play, Pause, Stop, Next or Previous from
                                   that headset -> whether bluetoothd passed
                                   it on
  PlayerFlags(adapter, sender)     what bluetoothd believes of the player
                                   that sender registered (a{sv})
  AddAdapter(name, system name)    as bluez5's, with the media interface
'''

import dbus
import dbus.lowlevel

from dbusmock import mockobject
from dbusmock.templates import bluez5
from dbusmock.templates.bluez5 import *  # noqa: F401,F403 (the template's methods)

BUS_NAME = bluez5.BUS_NAME
MAIN_OBJ = bluez5.MAIN_OBJ
SYSTEM_BUS = True
IS_OBJECT_MANAGER = True

MEDIA = 'org.bluez.Media1'
PLAYER = 'org.mpris.MediaPlayer2.Player'
PROPERTIES = 'org.freedesktop.DBus.Properties'
FLAGS = ('CanPlay', 'CanPause', 'CanGoNext', 'CanGoPrevious', 'CanControl')
# handle_passthrough(): the button, and the flag that must be true besides
# CanControl (Stop needs CanControl alone).
GATES = {'Play': 'CanPlay', 'Pause': 'CanPause', 'Next': 'CanGoNext',
         'Previous': 'CanGoPrevious', 'Stop': None}


def load(mock, parameters):
    bluez5.load(mock, parameters)


class Player:
    '''struct local_player: what bluetoothd keeps of a registered player.'''

    def __init__(self, adapter, sender, path):
        self.adapter = adapter
        self.sender = sender
        self.path = path
        # local_player_create() uses g_new0: every flag starts false.
        self.flags = {name: False for name in FLAGS}
        self.status = None
        self.watches = []

    def parse(self, properties):
        '''parse_player_properties(): False at the first bad entry.'''
        for key, value in properties.items():
            if not set_player_property(self, str(key), value):
                return False
        return True


def set_player_property(player, key, value):
    key = key.lower()
    if key == 'playbackstatus':
        if not isinstance(value, dbus.String):
            return False
        player.status = str(value)
        return True
    if key == 'position':
        return isinstance(value, dbus.Int64)
    if key == 'metadata':
        return parse_metadata(value)
    if key == 'shuffle':
        return isinstance(value, dbus.Boolean)
    if key == 'loopstatus':
        return isinstance(value, dbus.String) and str(value).lower() in ('none', 'track', 'playlist')
    for flag in FLAGS:
        if key == flag.lower():
            if not isinstance(value, dbus.Boolean):
                return False
            player.flags[flag] = bool(value)
            return True
    if key == 'identity':
        return isinstance(value, dbus.String)
    return True


def parse_metadata(value):
    '''parse_player_metadata(): the keys it reads must have their types.'''
    if not isinstance(value, dbus.Dictionary):
        return False
    types = {
        'xesam:title': (dbus.String,),
        'xesam:album': (dbus.String,),
        'xesam:artist': (dbus.Array,),
        'xesam:genre': (dbus.Array,),
        'mpris:length': (dbus.Int64, dbus.UInt64),
        'xesam:tracknumber': (dbus.Int32, dbus.UInt32),
    }
    for key, item in value.items():
        wanted = types.get(str(key).lower())
        if wanted and not isinstance(item, wanted):
            return False
        if wanted == (dbus.Array,) and any(not isinstance(i, dbus.String) for i in item):
            return False
    return True


def adapter_state(adapter):
    '''The adapter's players in registration order, and its headsets.'''
    if not hasattr(adapter, 'players'):
        adapter.players = []
        adapter.headsets = []
    return adapter


def connection():
    return mockobject.objects['/'].connection


@dbus.service.method(MEDIA, in_signature='oa{sv}', out_signature='', sender_keyword='sender',
                     path_keyword='adapter_path')
def RegisterPlayer(adapter_obj, path, properties, sender=None, adapter_path=None):
    adapter = adapter_state(mockobject.objects[adapter_path])
    if any(p.sender == sender and p.path == path for p in adapter.players):
        raise dbus.exceptions.DBusException('Already Exists', name='org.bluez.Error.AlreadyExists')
    player = Player(adapter, sender, str(path))
    if not player.parse(properties):
        raise dbus.exceptions.DBusException('Invalid arguments in method call',
                                            name='org.bluez.Error.InvalidArguments')
    bus = connection()

    def changed(interface, changes, _invalidated):
        # properties_changed(): the rest of the dict is lost at a bad entry.
        player.parse(changes)

    def owner(new_owner):
        if not new_owner:
            remove(player)

    player.watches = [
        bus.add_signal_receiver(changed, signal_name='PropertiesChanged', dbus_interface=PROPERTIES,
                                bus_name=sender, path=str(path), arg0=PLAYER),
        bus.watch_name_owner(sender, owner),
    ]
    adapter.players.append(player)
    # avrcp_register_player(): only headsets with no player get this one.
    for headset in adapter.headsets:
        if headset['player'] is None:
            headset['player'] = player
    adapter_obj.log(f'Player registered: sender={sender} path={path}')


@dbus.service.method(MEDIA, in_signature='o', out_signature='', sender_keyword='sender',
                     path_keyword='adapter_path')
def UnregisterPlayer(_adapter_obj, path, sender=None, adapter_path=None):
    adapter = adapter_state(mockobject.objects[adapter_path])
    for player in adapter.players:
        if player.sender == sender and player.path == str(path):
            remove(player)
            return
    raise dbus.exceptions.DBusException('Does Not Exist', name='org.bluez.Error.DoesNotExist')


def remove(player):
    '''local_player_destroy() with avrcp_unregister_player().'''
    adapter = player.adapter
    if player not in adapter.players:
        return
    adapter.players.remove(player)
    for watch in player.watches:
        watch.remove() if hasattr(watch, 'remove') else watch.cancel()
    for headset in adapter.headsets:
        if headset['player'] is player:
            headset['player'] = adapter.players[0] if adapter.players else None


@dbus.service.method(bluez5.BLUEZ_MOCK_IFACE, in_signature='ss', out_signature='s')
def AddAdapter(self, device_name, system_name):
    path = bluez5.AddAdapter(self, device_name, system_name)
    adapter = adapter_state(mockobject.objects[path])
    adapter.methods.setdefault(MEDIA, {})
    adapter.methods[MEDIA]['RegisterPlayer'] = ('oa{sv}', '', '', RegisterPlayer)
    adapter.methods[MEDIA]['UnregisterPlayer'] = ('o', '', '', UnregisterPlayer)
    return path


def adapter_named(name):
    return adapter_state(mockobject.objects['/org/bluez/' + name])


@dbus.service.method(bluez5.BLUEZ_MOCK_IFACE, in_signature='s', out_signature='')
def ConnectHeadset(_self, adapter_name):
    '''target_init(): the headset gets the first player registered.'''
    adapter = adapter_named(adapter_name)
    adapter.headsets.append({'player': adapter.players[0] if adapter.players else None})


@dbus.service.method(bluez5.BLUEZ_MOCK_IFACE, in_signature='ss', out_signature='b')
def PressButton(_self, adapter_name, button):
    '''handle_passthrough() and local_player_<button>(): the call goes out
    only through the gates, with no reply awaited.'''
    adapter = adapter_named(adapter_name)
    if button not in GATES:
        raise dbus.exceptions.DBusException(f'no button {button}', name='org.bluez.Mock.NoSuchButton')
    if not adapter.headsets:
        raise dbus.exceptions.DBusException('no headset is connected',
                                            name='org.bluez.Mock.NoHeadset')
    player = adapter.headsets[0]['player']
    if player is None:
        return False
    gate = GATES[button]
    if not player.flags['CanControl'] or (gate and not player.flags[gate]):
        return False
    message = dbus.lowlevel.MethodCallMessage(player.sender, player.path, PLAYER, button)
    connection().send_message(message)
    return True


@dbus.service.method(bluez5.BLUEZ_MOCK_IFACE, in_signature='ss', out_signature='a{sv}')
def PlayerFlags(_self, adapter_name, sender):
    adapter = adapter_named(adapter_name)
    for player in adapter.players:
        if player.sender == sender:
            flags = {k: dbus.Boolean(v) for k, v in player.flags.items()}
            flags['PlaybackStatus'] = dbus.String(player.status or '')
            return dbus.Dictionary(flags, signature='sv')
    raise dbus.exceptions.DBusException(f'{sender} registered no player on {adapter_name}',
                                        name='org.bluez.Mock.NoSuchPlayer')


@dbus.service.method(bluez5.BLUEZ_MOCK_IFACE, in_signature='s', out_signature='as')
def Players(_self, adapter_name):
    '''The senders of the adapter's players, in registration order.'''
    return dbus.Array([p.sender for p in adapter_named(adapter_name).players], signature='s')
