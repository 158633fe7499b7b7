import LuaRuntime
import ChurnCore
