import CLua
import CLuaBridge
